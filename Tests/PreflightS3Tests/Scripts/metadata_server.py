"""Plays the EC2 instance metadata service (IMDSv2 only) on 127.0.0.1, for the tests.

    metadata_server.py BODY_FILE LOG

PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds gives a token; GETs need
it in X-aws-ec2-metadata-token (401 otherwise): the role list names "test-role", and
/latest/meta-data/iam/security-credentials/test-role is the body file. Each request appends
"METHOD PATH" to LOG. Prints its port first; stops by itself after 60 seconds.
"""
import http.server
import sys
import threading

body, log_path = open(sys.argv[1], "rb").read(), sys.argv[2]
TOKEN = "metadata-session-token"


class Handler(http.server.BaseHTTPRequestHandler):
    def reply(self, status, payload):
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def do_PUT(self):
        with open(log_path, "a") as f:
            f.write(f"PUT {self.path}\n")
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self.reply(200, TOKEN.encode())
        else:
            self.reply(400, b"")

    def do_GET(self):
        with open(log_path, "a") as f:
            f.write(f"GET {self.path}\n")
        if self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
            self.reply(401, b"")
        elif self.path == "/latest/meta-data/iam/security-credentials/":
            self.reply(200, b"test-role")
        elif self.path == "/latest/meta-data/iam/security-credentials/test-role":
            self.reply(200, body)
        else:
            self.reply(404, b"")

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Timer(60, server.shutdown).start()
server.serve_forever()
