"""The dashboard (`tiny-hops ui`): an ASGI app (Starlette, served by uvicorn) over the index, with the DAG laid
out by dagre (vendored from npm into static/vendor at install time) and live updates by server-sent events."""
