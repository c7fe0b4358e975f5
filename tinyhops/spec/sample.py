"""The sample workflow `generate-template` writes: a parallel group, references, `needs`, two modules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_ID = "https://tinyhops.dev/schemas/thops.schema.json"


def sample_document() -> dict[str, Any]:
    return {
        "$schema": SCHEMA_ID,
        "version": "v0.0.1",
        "name": "cow-meme",
        "description": ("A cow greets while a picture is drawn; a second cow quotes the first; a third captions both."),
        "steps": [
            {
                "stepId": "1",
                "stepName": "greet",
                "stepDesc": "The first cow says hello.",
                "stepModule": {"cmd": "cowsay:v0.0.1", "params": "Hello from Tiny Hops", "cost": "1"},
                "outputs": [{"name": "stdout", "mediaType": "text/plain", "description": "The cow's speech."}],
            },
            [
                {
                    "stepId": "2",
                    "stepName": "picture",
                    "stepDesc": "Draws the meme picture; needs nothing, so it starts with step 1.",
                    "needs": [],
                    "stepModule": {
                        "cmd": "sdxl:v0.9-lilypad1",
                        "params": '{"prompt": "a cow jumping over the moon, pop art", "seed": 42}',
                        "cost": "4",
                    },
                    "timeout": 600,
                    "retries": 1,
                    "outputs": [{"name": "outputs/image-42.png", "mediaType": "image/png"}],
                },
                {
                    "stepId": "3",
                    "stepName": "quote",
                    "stepDesc": "A second cow quotes the first cow's output, read from its CID.",
                    "stepModule": {
                        "cmd": "cowsay:v0.0.1",
                        "params": "The first cow said: {{stepId:1}}",
                        "cost": "1",
                    },
                },
            ],
            {
                "stepId": "4",
                "stepName": "caption",
                "stepDesc": "Joins both branches: captions the picture with the quote.",
                "needs": ["2", "3"],
                "stepModule": {
                    "cmd": "cowsay:v0.0.1",
                    "params": "Picture {{stepId:2}} captioned by {{stepId:3}}",
                    "cost": "1",
                },
                "outputs": [{"name": "stdout", "mediaType": "text/plain"}],
            },
        ],
    }


def write_sample(path: Path) -> None:
    path.write_text(json.dumps(sample_document(), indent=2) + "\n")
