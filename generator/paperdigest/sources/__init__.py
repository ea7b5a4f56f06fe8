"""Clients of remote APIs (arXiv, OpenAlex, Semantic Scholar), at the edge of the pipeline."""
