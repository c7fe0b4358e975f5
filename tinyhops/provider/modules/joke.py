"""`joke:v0.0.1`, served locally: a cow's joke on stdout, the text step of the audiovisual cow meme.

No language model can run here (no weights can be downloaded), so the joke comes from a fixed book of cow
puns, picked by sha256 of the topic and seed: the same inputs always tell the same joke, a different seed
usually another. Inputs: `Topic` (the primary input, default "cows") and `Seed` (a whole number, default 0).
stdout is the joke on one line, ready to be captioned, spoken or quoted by a later step.
"""

from __future__ import annotations

import hashlib

from tinyhops.errors import ModuleFailed
from tinyhops.provider.modules.inputs import parse_inputs
from tinyhops.provider.modules.result import JobResult
from tinyhops.provider.store import ContentStore

NAME = "joke:v0.0.1"
DEFAULTS = {"Topic": "cows", "Seed": "0"}
MAX_TOPIC_CHARS = 200

JOKES = (
    "Why did the cow cross the road? To get to the udder side.",
    "What do you call a cow with no legs? Ground beef.",
    "Where do cows go on a Friday night? To the moo-vies.",
    "What do you call a sleeping cow? A bull-dozer.",
    "Why do cows wear bells? Because their horns don't work.",
    "What did the cow say to the moon? Nothing, cows can't talk. It just jumped over it.",
    "How do cows keep up with the news? They read the moos-paper.",
    "What is a cow's favourite party game? Moo-sical chairs.",
    "Why did the cow become an astronaut? To see the Milky Way for herself.",
    "What do you get from a pampered cow? Spoiled milk.",
    "What do cows put on their pancakes? Mmmoo-ple syrup.",
    "Why don't cows ever have money? Because farmers milk them dry.",
)


def tell(topic: str, seed: int) -> str:
    """The joke for `topic` and `seed`."""
    digest = hashlib.sha256(f"{topic}\x00{seed}".encode()).digest()
    return JOKES[int.from_bytes(digest[:8], "big") % len(JOKES)]


def run(params: str, store: ContentStore) -> JobResult:
    inputs = parse_inputs(params, NAME, "Topic", DEFAULTS)
    topic = " ".join(inputs["Topic"].split())[:MAX_TOPIC_CHARS] or DEFAULTS["Topic"]
    try:
        seed = int(inputs["Seed"])
    except ValueError:
        raise ModuleFailed(f"{NAME}: Seed must be a whole number, not {inputs['Seed'][:40]!r}") from None
    return JobResult(stdout=(tell(topic, seed) + "\n").encode("utf-8"))
