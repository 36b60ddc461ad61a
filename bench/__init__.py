"""Benchmarks of customer intake at scale (`make bench`, `python -m bench`).

generate.py builds a large dataset into a fresh database with bulk inserts; measure.py
times the key operations in-process through the full Django stack; __main__.py runs both
for SQLite and PostgreSQL, each in its own process, and prints the table."""
