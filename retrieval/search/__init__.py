"""Searching a build: the backend seam (backend), the local FAISS + BM25 backend (local), and score fusion."""
