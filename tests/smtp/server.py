#!/usr/bin/env python3
"""A real SMTP server for the tests: aiosmtpd on a free port of this machine.

Every message it accepts is stored as NNNNN.eml, with NNNNN.json holding the
envelope (sender and recipients). Addresses given with --refuse are refused
with 550 at RCPT time, and those given with --defer with 451 the first
--defer-times times. With --cert and --key it offers STARTTLS and requires
it. It prints "ready PORT" once it accepts connections, and stops when its
standard input closes, so it never outlives the test that started it.
"""

import argparse
import base64
import asyncio
import json
import logging
import os
import socket
import ssl
import sys
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Store:
    def __init__(self, maildir, refuse, slow, slow_to, defer, defer_times, oauth=None, drop=()):
        self.maildir = maildir
        self.oauth = oauth
        # Addresses whose message is kept, but whose connection is dropped
        # before the answer to the end of data, once each.
        self.drop = {a.lower() for a in drop}
        self.refuse = {a.lower() for a in refuse}
        # Temporary refusals left for each address given with --defer.
        self.defer = {a.lower(): defer_times for a in defer}
        self.count = 0
        self.slow = slow
        self.slow_to = {a.lower() for a in slow_to}

    async def auth_XOAUTH2(self, server, args):
        """XOAUTH2 (Google, Microsoft): accepts only the --oauth token."""
        try:
            raw = base64.b64decode(args[1]).decode()
        except Exception:
            return AuthResult(success=False, handled=False)
        fields = dict(p.split("=", 1) for p in raw.split("\x01") if "=" in p)
        ok = self.oauth is not None and fields.get("auth") == "Bearer " + self.oauth
        return AuthResult(success=ok, handled=False)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.refuse:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        if self.defer.get(address.lower(), 0) > 0:
            self.defer[address.lower()] -= 1
            return "451 4.7.1 <%s>: rate limited, try again later" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.maildir, "%05d" % self.count)
        with open(base + ".json", "w") as f:
            json.dump({"from": envelope.mail_from, "to": envelope.rcpt_tos, "mail_options": envelope.mail_options}, f)
        with open(base + ".eml.part", "wb") as f:
            f.write(envelope.original_content or envelope.content)
        # The test reads a message only once it is whole.
        os.rename(base + ".eml.part", base + ".eml")
        dropped = {a.lower() for a in envelope.rcpt_tos} & self.drop
        if dropped:
            self.drop -= dropped
            server.transport.abort()
            return "421 4.4.2 connection dropped"  # never reaches the client
        # A slow server: the message is kept, but the answer to the end of
        # its data comes late, as from a server that scans it first.
        if self.slow and (not self.slow_to or {a.lower() for a in envelope.rcpt_tos} & self.slow_to):
            await asyncio.sleep(self.slow)
        return "250 2.0.0 queued as %05d" % self.count


def auth_options(auth):
    """Require a login, over a plain connection too, for the tests."""
    if not auth:
        return {}
    user, password = auth.split(":", 1)

    def check(server, session, envelope, mechanism, auth_data):
        ok = auth_data.login == user.encode() and auth_data.password == password.encode()
        return AuthResult(success=ok, handled=False)

    return {"authenticator": check, "auth_required": True, "auth_require_tls": False}


def oauth_options():
    """Require a login that only XOAUTH2 can give."""
    refuse = lambda *a: AuthResult(success=False, handled=False)
    return {"authenticator": refuse, "auth_required": True, "auth_require_tls": False}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--cert")
    parser.add_argument("--key")
    parser.add_argument("--auth", help="USER:PASSWORD the server requires")
    parser.add_argument("--slow", type=float, default=0, help="seconds before answering the end of data")
    parser.add_argument("--slow-to", action="append", default=[], help="only for these recipients")
    parser.add_argument("--oauth", help="the XOAUTH2 token the server requires")
    parser.add_argument("--drop-after-data", action="append", default=[], help="keep this address's message, then drop the connection unanswered")
    parser.add_argument("--defer", action="append", default=[], help="answer 451 to RCPT for this address")
    parser.add_argument("--defer-times", type=int, default=2, help="how many times --defer answers 451")
    parser.add_argument("--smtputf8", action="store_true", help="offer SMTPUTF8 (RFC 6531)")
    args = parser.parse_args()

    # A refused handshake is part of a test; its traceback is noise, as is
    # the warning about a login without TLS, which the tests ask for.
    logging.getLogger("mail.log").setLevel(logging.CRITICAL)
    warnings.simplefilter("ignore")
    tls = None
    if args.cert:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(args.cert, args.key)
    port = free_port()
    controller = Controller(
        Store(args.maildir, args.refuse, args.slow, args.slow_to, args.defer, args.defer_times, args.oauth, args.drop_after_data),
        hostname="127.0.0.1",
        port=port,
        server_hostname="localhost",
        tls_context=tls,
        require_starttls=tls is not None,
        data_size_limit=64 * 1024 * 1024,
        enable_SMTPUTF8=args.smtputf8,
        **(oauth_options() if args.oauth else auth_options(args.auth)),
    )
    controller.start()
    print("ready %d" % port, flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
