"""Preflight checks an Amazon Rekognition Custom Labels dataset on your own disk before you
upload it. This package only carries the `preflight` executable: run `preflight --help`, or
`python -m preflight --help`."""
