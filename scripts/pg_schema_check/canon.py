#!/usr/bin/env python3
"""Reads CSV (as `sqlite3 -csv` or `psql --csv` writes it) on stdin and writes it back in one
canonical form, every field quoted, rows sorted, so the two engines' outputs compare with diff."""
import csv
import sys

rows = [r for r in csv.reader(sys.stdin)]
out = csv.writer(sys.stdout, quoting=csv.QUOTE_ALL, lineterminator="\n")
for r in sorted(rows):
    out.writerow(r)
