"""linewise serve: the JSON API, the agent console and the self-service portal (FastAPI)."""
