#!/usr/bin/python3
"""An independent XEP-0332 peer on slixmpp's own plugin (Debian python3-slixmpp 1.8.3), as the
agents' Python AZTM library uses it. Interoperability tests and manual checks drive it:

  serve    answer HTTP-over-XMPP requests (slixmpp's <request/>), from a local HTTP target or as an echo
  request  send one request to a full JID and print the response
  bench    send blocks of requests as standard input asks (one JSON line each: to, count, inFlight,
           bodyFile) and print each round trip's duration, for the XMPP benchmark's comparison

Every event is one JSON line on stdout. The password comes from an environment variable (never argv).

  /usr/bin/python3 tools/xmpp/slixmpp_http_peer.py serve --jid agent@example --host 127.0.0.1 --port 5222 \
      --ca ca.crt --echo
  /usr/bin/python3 tools/xmpp/slixmpp_http_peer.py request --jid client@example ... --to bridge@example/res \
      --method POST --path /a2a --header 'Content-Type: application/json' --body '{"x":1}'
"""
import argparse
import asyncio
import base64
import json
import logging
import os
import sys
import time
import urllib.error
import urllib.request

from slixmpp import ClientXMPP

NS_HTTP = 'urn:xmpp:http'


def emit(**event):
    sys.stdout.write(json.dumps(event) + '\n')
    sys.stdout.flush()


def read_body(stanza):
    """The body of a request/response payload: (text, encoding) from <text> or <base64>."""
    data = stanza.xml.find('{%s}data' % NS_HTTP)
    if data is None:
        return None, None
    for child in data:
        tag = child.tag.split('}')[-1]
        if tag == 'text':
            return child.text or '', 'text'
        if tag == 'base64':
            return child.text or '', 'base64'
        return None, tag
    return '', 'text'


class Peer(ClientXMPP):
    def __init__(self, args):
        jid = args.jid + ('/' + args.resource if args.resource else '')
        super().__init__(jid, os.environ.get(args.password_env, ''))
        self.args = args
        self.register_plugin('xep_0030')
        self.register_plugin('xep_0131')
        self.register_plugin('xep_0332')
        self.register_plugin('xep_0199')
        if args.ca:
            self.ca_certs = args.ca
        self.add_event_handler('session_start', self.on_start)
        self.add_event_handler('failed_auth', lambda *_: self.fail('authentication failed'))
        self.add_event_handler('connection_failed', lambda e: self.fail('connection failed: %s' % e))
        self.add_event_handler('http_request', self.on_request)

    def fail(self, message):
        emit(event='error', message=message)
        self.disconnect()
        asyncio.get_event_loop().call_later(1, sys.exit, 1)

    async def on_start(self, _event):
        self.send_presence()
        await self.get_roster()
        emit(event='ready', jid=str(self.boundjid))
        if self.args.command == 'request':
            await self.send_one()
        elif self.args.command == 'bench':
            await self.run_bench()

    async def on_request(self, iq):
        req = iq['http-req']
        headers = dict(req['headers'] or {})
        body, encoding = read_body(req)
        if not self.args.quiet:
            emit(event='request', frm=str(iq['from']), method=req['method'], resource=req['resource'],
                 headers=headers, body=body, encoding=encoding)
        if self.args.echo_body:
            status, message, out_headers, out_body = 200, 'OK', {'Content-Type': 'text/plain'}, body
        elif self.args.target:
            status, message, out_headers, out_body = await asyncio.get_event_loop().run_in_executor(
                None, self.forward, req['method'], req['resource'], headers, body, encoding)
        else:
            out_body = json.dumps({'method': req['method'], 'resource': req['resource'], 'headers': headers,
                                   'body': body, 'encoding': encoding})
            status, message, out_headers = 200, 'OK', {'Content-Type': 'application/json'}
        self['xep_0332'].send_response(to=iq['from'], code=status, message=message, headers=out_headers,
                                        data=out_body, id=iq['id'])

    def forward(self, method, resource, headers, body, encoding):
        data = None
        if body is not None:
            data = base64.b64decode(body) if encoding == 'base64' else body.encode('utf-8')
        request = urllib.request.Request(self.args.target.rstrip('/') + resource, data=data, method=method,
                                         headers={k: v for k, v in headers.items() if k.lower() != 'host'})
        try:
            with urllib.request.urlopen(request, timeout=30) as res:
                return res.status, res.reason, {k: v for k, v in res.getheaders()}, res.read().decode('utf-8')
        except urllib.error.HTTPError as e:
            return e.code, e.reason, dict(e.headers), e.read().decode('utf-8')

    def request_parts(self):
        """The headers and body of the request to send, from --header, --body and --body-file."""
        headers = {}
        for h in self.args.header or []:
            name, _, value = h.partition(':')
            headers[name.strip()] = value.strip()
        body = self.args.body
        if self.args.body_file:
            with open(self.args.body_file, encoding='utf-8') as f:
                body = f.read()
        return headers, body

    async def run_requests(self, to, headers, body, count, in_flight):
        """`count` requests to `to`, `in_flight` at a time: each round trip's duration (ms) and the
        seconds they took together. A wrong answer raises."""
        a = self.args

        async def one():
            started = time.perf_counter()
            iq = await self['xep_0332'].send_request(to=to, method=a.method, resource=a.path,
                                                     headers=headers, data=body, timeout=a.timeout)
            elapsed = (time.perf_counter() - started) * 1000
            text, _ = read_body(iq['http-resp'])
            if int(iq['http-resp']['code']) != 200 or len(text or '') != len(body or ''):
                raise RuntimeError('bench: unexpected response %s, %d characters'
                                   % (iq['http-resp']['code'], len(text or '')))
            return elapsed

        samples = []
        left = iter(range(count))

        async def worker():
            for _ in left:
                samples.append(await one())

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(in_flight)))
        return samples, time.perf_counter() - started

    async def run_bench(self):
        """Blocks of requests as standard input asks for them, one JSON line each ({"to", "count",
        "inFlight", "bodyFile"}), and one line back for each; ends at the end of the input."""
        loop = asyncio.get_event_loop()
        headers, _ = self.request_parts()
        bodies = {}
        while True:
            line = await loop.run_in_executor(None, sys.stdin.readline)
            if not line:
                break
            try:
                ask = json.loads(line)
                if ask['bodyFile'] not in bodies:
                    with open(ask['bodyFile'], encoding='utf-8') as f:
                        bodies[ask['bodyFile']] = f.read()
                samples, seconds = await self.run_requests(ask['to'], headers, bodies[ask['bodyFile']],
                                                           int(ask['count']), int(ask.get('inFlight', 1)))
                emit(event='block', samples_ms=samples, seconds=seconds)
            except Exception as e:  # IqError / IqTimeout / a wrong answer / a bad line: no figures
                emit(event='error', message=str(e))
        self.disconnect()

    async def send_one(self):
        a = self.args
        headers, body = self.request_parts()
        try:
            iq = await self['xep_0332'].send_request(to=a.to, method=a.method, resource=a.path,
                                                     headers=headers, data=body, timeout=a.timeout)
        except Exception as e:  # IqError / IqTimeout: report the XMPP error condition
            condition = getattr(getattr(e, 'iq', None), 'get', lambda *_: None)('error')
            emit(event='error', message=str(e), condition=condition['condition'] if condition else None)
            self.disconnect()
            return
        resp = iq['http-resp']
        text, encoding = read_body(resp)
        emit(event='response', frm=str(iq['from']), status=resp['code'], message=resp['message'],
             headers=dict(resp['headers'] or {}), body=text, encoding=encoding)
        self.disconnect()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('command', choices=['serve', 'request', 'bench'])
    parser.add_argument('--jid', required=True)
    parser.add_argument('--resource', help='the XMPP resource to bind')
    parser.add_argument('--password-env', default='XMPP_PASSWORD')
    parser.add_argument('--host', required=True)
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--ca', help='PEM file of the CA to trust')
    parser.add_argument('--plaintext', action='store_true', help='no STARTTLS (a plaintext virtual host)')
    parser.add_argument('--target', help='serve: forward requests to this base URL (default: echo)')
    parser.add_argument('--echo', action='store_true', help='serve: answer with a JSON echo (the default)')
    parser.add_argument('--echo-body', action='store_true', help='serve: answer with the request body as is')
    parser.add_argument('--quiet', action='store_true', help='serve: no line per request')
    parser.add_argument('--to', help='request: the full JID to send to')
    parser.add_argument('--method', default='GET')
    parser.add_argument('--path', default='/', help='request: the HTTP path and query')
    parser.add_argument('--header', action='append')
    parser.add_argument('--body')
    parser.add_argument('--body-file')
    parser.add_argument('--timeout', type=int, default=20)
    parser.add_argument('--debug', action='store_true')
    args = parser.parse_args()
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.ERROR, stream=sys.stderr)
    peer = Peer(args)
    peer.connect((args.host, args.port), force_starttls=not args.plaintext, disable_starttls=args.plaintext)
    peer.process(forever=args.command == 'serve')


if __name__ == '__main__':
    main()
