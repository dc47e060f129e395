#!/usr/bin/env python3
"""Sends N malformed and hostile AdmissionReview bodies to a running webhook and checks every answer.

Each must be a 4xx with a message, or a 200 that allows the pod; the server must stay up and keep answering.
    python3 hack/hostile.py https://127.0.0.1:PORT N [SEED]
"""
import http.client
import json
import random
import ssl
import sys
import time
import urllib.parse

url = urllib.parse.urlparse(sys.argv[1])
total = int(sys.argv[2])
rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
context = ssl._create_unverified_context()  # the server's test certificate is self-signed


def review(pod, operation="CREATE", uid="u"):
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
            "request": {"uid": uid, "kind": {"group": "", "version": "v1", "kind": "Pod"},
                        "resource": {"group": "", "version": "v1", "resource": "pods"},
                        "namespace": "hostile", "operation": operation, "object": pod}}


def container(i, **extra):
    c = {"name": f"c{i}", "image": "python:3.12", "command": ["python", "app.py"],
         "resources": {"limits": {"memory": "1Gi"}}}
    c.update(extra)
    return c


def pod(containers, annotations=None):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "annotations": annotations or {}},
            "spec": {"containers": containers}}


VALID = json.dumps(review(pod([container(0), container(1)]))).encode()


def deep_nesting():
    depth = rng.choice([600, 5000, 100000])
    return ("[" * depth + "]" * depth).encode()


def deep_object():
    depth = rng.choice([600, 3000])
    inner = '{"a":' * depth + "1" + "}" * depth
    return ('{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","object":'
            + inner + "}}").encode()


def huge_string():
    size = rng.choice([100_000, 1_000_000, 3_000_000])
    return json.dumps(review(pod([container(0)], {"x": "A" * size}))).encode()


def oversized():
    return json.dumps(review(pod([container(0)], {"x": "B" * 3_200_000}))).encode()


def wrong_types():
    choices = [
        review(pod("not a list")),
        review({"metadata": [], "spec": {"containers": [{"name": 5, "command": "python"}]}}),
        review(pod([container(0, resources={"limits": {"memory": ["1Gi"]}})])),
        review(pod([container(0, env="PATH=/bin")])),
        {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {"uid": 5}},
        {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": []},
        review(pod([container(0)], {"rlimit-injector.io/ratio": 5})),
        review(pod([container(0)], {"rlimit-injector.io/status": "{\"containers\":7}"})),
        review(pod([None, 3, "x"])),
    ]
    return json.dumps(rng.choice(choices)).encode()


def invalid_utf8():
    body = bytearray(VALID)
    at = body.index(b"python")
    body[at:at + 2] = rng.choice([b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\xf8\x88"])
    return bytes(body)


def many_containers():
    return json.dumps(review(pod([container(i) for i in range(rng.choice([150, 10000]))]))).encode()


def mangled():
    body = bytearray(VALID)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        if choice < 0.4 and body:
            body[rng.randrange(len(body))] = rng.randrange(256)
        elif choice < 0.7 and body:
            del body[rng.randrange(len(body)):]
        else:
            at = rng.randrange(len(body) + 1)
            body[at:at] = bytes(rng.choice(b'{}[]":,\\0') for _ in range(rng.randint(1, 5)))
    return bytes(body)


def odd_annotations():
    keys = ["rlimit-injector.io/mode", "rlimit-injector.io/ratio", "rlimit-injector.io/exclude-containers",
            "rlimit-injector.io/command.c0", "rlimit-injector.io/mode.c1", "rlimit-injector.io/status"]
    values = ["", "data", "0", "1e308", "NaN", "-1", "[\"/x\"]", "[]", "[1,2]", "{", "\u0000\u0007",
              "c0,c0,,", "\U0001F600" * 50, "off"]
    annotations = {rng.choice(keys): rng.choice(values) for _ in range(rng.randint(1, 4))}
    return json.dumps(review(pod([container(0), container(1, command=None)], annotations))).encode()


GENERATORS = [(deep_nesting, 5), (deep_object, 5), (huge_string, 1), (oversized, 1), (wrong_types, 15),
              (invalid_utf8, 10), (many_containers, 1), (mangled, 40), (odd_annotations, 22)]
weights = [w for _, w in GENERATORS]
connection = None
statuses = {}
failures = []
start = time.time()
for n in range(total):
    generate = rng.choices([g for g, _ in GENERATORS], weights)[0]
    body = generate()
    for attempt in range(2):
        try:
            if connection is None:
                connection = http.client.HTTPSConnection(url.hostname, url.port, context=context, timeout=30)
            connection.request("POST", "/mutate", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            answer = response.read()
            break
        except (ConnectionError, http.client.HTTPException, OSError) as e:
            connection = None
            if attempt == 1:
                failures.append(f"{generate.__name__}: connection failed: {e}")
                response = None
    if response is None:
        continue
    statuses[response.status] = statuses.get(response.status, 0) + 1
    if response.status == 200:
        try:
            allowed = json.loads(answer)["response"]["allowed"]
        except Exception as e:  # noqa: BLE001 - any unreadable 200 is a failure
            allowed = f"unreadable: {e}"
        if allowed is not True:
            failures.append(f"{generate.__name__}: 200 without allowed=true: {answer[:200]!r}")
    elif not (400 <= response.status < 500) or not answer.strip() or b"\tat " in answer:
        failures.append(f"{generate.__name__}: status {response.status}: {answer[:200]!r}")
    if response.getheader("Connection", "").lower() == "close":
        connection = None

elapsed = time.time() - start
print(f"hostile: {total} requests in {elapsed:.1f} s, statuses {dict(sorted(statuses.items()))}, "
      f"{len(failures)} unexpected answers")
for failure in failures[:20]:
    print("  " + failure)
sys.exit(1 if failures else 0)
