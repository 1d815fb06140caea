"""Preflight checks an Amazon Rekognition Custom Labels dataset before training, on your own
disk or where it lives in S3. This package only carries the `preflight` executable: run `preflight --help`, or
`python -m preflight --help`."""
