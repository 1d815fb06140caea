"""Serves container-credentials JSON on 127.0.0.1, for the container credentials test.

    credentials_server.py EXPECTED_AUTHORIZATION BODY_FILE

Answers GET with the body file when the Authorization header is EXPECTED_AUTHORIZATION,
401 otherwise. Prints its port first. Stops by itself after 60 seconds.
"""
import http.server
import sys
import threading

expected, body = sys.argv[1], open(sys.argv[2], "rb").read()


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.headers.get("Authorization") == expected
        self.send_response(200 if ok else 401)
        payload = body if ok else b"{}"
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
threading.Timer(60, server.shutdown).start()
server.serve_forever()
