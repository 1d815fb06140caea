"""A small HTTP proxy that misbehaves on purpose, in front of an S3 server.

    fault_proxy.py UPSTREAM_PORT MODE COUNT LOG

MODE is one of:
  slowdown  the first COUNT requests get 503 SlowDown
  drop      the first COUNT requests have their connection closed without an answer
  silent    every connection is accepted and never answered
  region    requests not signed for eu-west-1 get 400 AuthorizationHeaderMalformed with
            x-amz-bucket-region: eu-west-1
  first     the first request for each of the first COUNT distinct method-and-targets fails,
            by turns a 503 SlowDown and a dropped connection; its retry is forwarded (so that
            many requests in flight at once still meet a bounded number of faults each)
Every other request is forwarded to 127.0.0.1:UPSTREAM_PORT. Each request appends one line
to LOG ("slowdown", "drop", "region" or "forward"). The listening port is printed first on
standard output. Stops by itself after 120 seconds.
"""
import socket
import sys
import threading
import time

upstream_port, mode, count, log_path = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
lock = threading.Lock()
faults_left = [count]
targets_seen = set()


def log(line):
    with lock, open(log_path, "a") as f:
        f.write(line + "\n")


def read_request(conn):
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return None
        body += chunk
    return head, body


def take_fault():
    with lock:
        if faults_left[0] > 0:
            faults_left[0] -= 1
            return True
        return False


def take_first_fault(head):
    """The fault for the first request to a target ("slowdown" or "drop"), or None."""
    target = head.split(b"\r\n", 1)[0]
    with lock:
        if target in targets_seen or faults_left[0] <= 0:
            return None
        targets_seen.add(target)
        faults_left[0] -= 1
        return "slowdown" if len(targets_seen) % 2 == 1 else "drop"


def answer(conn, status, headers, body):
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers] + [f"Content-Length: {len(body)}", "Connection: close"]
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)


def handle(conn):
    with conn:
        if mode == "silent":
            time.sleep(60)
            return
        request = read_request(conn)
        if request is None:
            return
        head, body = request
        fault = take_first_fault(head) if mode == "first" else None
        if (mode == "slowdown" and take_fault()) or fault == "slowdown":
            log("slowdown")
            answer(conn, "503 Slow Down", [("Content-Type", "application/xml")],
                   b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SlowDown</Code>"
                   b"<Message>Please reduce your request rate.</Message></Error>")
            return
        if (mode == "drop" and take_fault()) or fault == "drop":
            log("drop")
            conn.shutdown(socket.SHUT_RDWR)
            return
        if mode == "region" and b"/eu-west-1/s3/" not in head:
            log("region")
            answer(conn, "400 Bad Request", [("x-amz-bucket-region", "eu-west-1"), ("Content-Type", "application/xml")],
                   b"<Error><Code>AuthorizationHeaderMalformed</Code><Message>the region is wrong</Message></Error>")
            return
        log("forward")
        lines = [l for l in head.split(b"\r\n") if not l.lower().startswith(b"connection:")]
        with socket.create_connection(("127.0.0.1", upstream_port)) as up:
            up.sendall(b"\r\n".join(lines) + b"\r\nConnection: close\r\n\r\n" + body)
            while True:
                chunk = up.recv(65536)
                if not chunk:
                    break
                conn.sendall(chunk)


server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(64)
print(server.getsockname()[1], flush=True)
threading.Timer(120, lambda: __import__("os")._exit(0)).start()
while True:
    client, _ = server.accept()
    threading.Thread(target=handle, args=(client,), daemon=True).start()
