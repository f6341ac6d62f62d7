"""Measurement: evaluation against QA files and the benchmark. The core never imports this package."""
