"""The agent console: server-rendered pages (Jinja2, htmx for speed, plain forms first)."""
