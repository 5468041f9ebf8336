"""A client of the EnOS Batch Processing Service in Python's standard library alone, driving
cmd/refserver through its control API: a token, a trigger, an injected 503, a clock advance
that ends the run, an expired token refused and renewed. Run by TestPythonClient:

    python3 control_client.py http://127.0.0.1:PORT

It prints one line per step and "N passed, 0 failed" at the end; it exits 1 on the first
failure."""

import base64
import hashlib
import json
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = sys.argv[1]
APP_KEY, SECRET = "yourAppAccessKey", "yourAppSecretKey"
ORG, USER, FLOW = "yourOrgId", "yourUserId", 3377
passed = 0


def check(name, ok, detail=""):
    global passed
    if not ok:
        print("FAIL", name, detail)
        print(f"{passed} passed, 1 failed")
        sys.exit(1)
    passed += 1
    print("ok  ", name)


def http(method, path, body=None, headers=None):
    data = None if body is None else body.encode()
    req = urllib.request.Request(BASE + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req) as resp:
            return resp.status, dict(resp.headers), resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read().decode()


def control(method, name, body=None):
    status, _, text = http(method, "/_refserver/" + name, None if body is None else json.dumps(body))
    return status, json.loads(text)


def now_millis():
    return control("GET", "clock")[1]["nowMillis"]


def get_token():
    ts = now_millis()
    enc = hashlib.sha256(f"{APP_KEY}{ts}{SECRET}".encode()).hexdigest()
    body = json.dumps({"appKey": APP_KEY, "encryption": enc, "timestamp": ts})
    status, _, text = http("POST", "/apim-token-service/v2.0/token/get", body, {"Content-Type": "application/json"})
    answer = json.loads(text)
    return status, answer


def call(token, method, resource, action, body="", extra=None):
    query = {"action": action, "orgId": ORG, "userId": USER, **(extra or {})}
    ts = str(now_millis())
    signed = token + "".join(k + query[k] for k in sorted(query)) + body + ts + SECRET
    headers = {
        "apim-accesstoken": token,
        "apim-timestamp": ts,
        "apim-signature": hashlib.sha256(signed.encode()).hexdigest(),
        "Content-Type": "application/json;charset=UTF-8",
    }
    path = f"/batch-processing-service/v2.1/{resource}?" + urllib.parse.urlencode(query)
    return http(method, path, body if method == "POST" else None, headers)


status, health = control("GET", "health")
check("health", status == 200 and health["status"] == "ok", health)

status, answer = get_token()
check("token", status == 200 and answer["status"] == 0 and answer["data"]["expire"] == 7200, answer)
token = answer["data"]["accessToken"]

control("POST", "faults", {"method": "POST", "path": "/batch-processing-service/v2.1/flows",
                           "action": "trigger", "status": 503, "times": 1})
trigger = json.dumps({"flowId": FLOW, "triggerTime": now_millis()})
status, headers, text = call(token, "POST", "flows", "trigger", trigger)
check("injected 503", status == 503 and json.loads(text) == {"message": "Service unavailable"}, (status, text))

status, _, text = call(token, "POST", "flows", "trigger", trigger)
answer = json.loads(text)
check("trigger", status == 200 and answer["code"] == 0, text)
instance = answer["data"]["flowInstanceId"]

status, triggers = control("GET", "requests?action=trigger")
check("request log filtered", status == 200 and [(r["status"], r["code"]) for r in triggers] == [(503, 0), (200, 0)], triggers)

status, _, text = call(token, "GET", "flowInstances", "get", extra={"flowInstId": instance})
check("running", json.loads(text)["data"]["status"] == 2, text)

status, clock = control("POST", "clock", {"advance": "10s"})
check("clock advanced", status == 200 and clock["manual"], clock)
status, _, text = call(token, "GET", "flowInstances", "get", extra={"flowInstId": instance})
data = json.loads(text)["data"]
check("run ended", data["status"] == 1 and data["statusDesc"] == "SUCCESS", text)

control("POST", "clock", {"advance": "2h"})
status, headers, text = call(token, "GET", "time", "getTimeZone")
reason = headers.get("X-Refserver-Reason", "")
check("expired token refused", status == 401 and "expired" in reason and SECRET not in reason, (status, reason))

status, answer = get_token()
check("token renewed", answer["status"] == 0 and answer["data"]["accessToken"] != token, answer)
status, _, text = call(answer["data"]["accessToken"], "GET", "time", "getTimeZone")
check("renewed token accepted", status == 200 and json.loads(text)["code"] == 0, text)

signed_string = base64.b64encode(b"not what the gateway signed").decode()
status, headers, _ = http("GET", "/batch-processing-service/v2.1/time?action=getTimeZone",
                          headers={"apim-accesstoken": answer["data"]["accessToken"],
                                   "apim-timestamp": str(now_millis()), "apim-signature": "0" * 64,
                                   "X-Refserver-String-To-Sign": signed_string})
check("signature explained", status == 401 and "the gateway signed" in headers.get("X-Refserver-Reason", ""), headers)

print(f"{passed} passed, 0 failed")
