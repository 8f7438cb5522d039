"""The knowledge base: rule packs per support line, their schema and loader.

Nothing here imports the other linewise packages.
"""
