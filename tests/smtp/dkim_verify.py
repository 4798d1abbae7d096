"""Checks the DKIM signatures of received messages with dkimpy, answering
its DNS lookup with the test's public key record instead of asking DNS.

Usage: dkim_verify.py NAME RECORD FILE...
Prints one JSON line per file: the names looked up and whether it verified.
"""

import json
import sys

import dkim


def main():
    name, record, files = sys.argv[1], sys.argv[2].encode(), sys.argv[3:]
    for path in files:
        asked = []

        def dns(qname, timeout=5):
            qname = qname.decode() if isinstance(qname, bytes) else qname
            asked.append(qname)
            return record if qname.rstrip(".") == name else None

        with open(path, "rb") as f:
            message = f.read()
        try:
            ok = dkim.verify(message, dnsfunc=dns)
            error = None
        except Exception as e:  # a malformed signature is a failure to report
            ok, error = False, str(e)
        print(json.dumps({"file": path, "asked": asked, "ok": bool(ok), "error": error}))


if __name__ == "__main__":
    main()
