#!/usr/bin/python3
"""An independent XEP-0332 peer on slixmpp's own plugin (Debian python3-slixmpp 1.8.3), as the
agents' Python AZTM library uses it. Interoperability tests and manual checks drive it:

  serve    answer HTTP-over-XMPP requests (slixmpp's <request/>), from a local HTTP target or as an echo
  request  send one request to a full JID and print the response

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

    async def on_request(self, iq):
        req = iq['http-req']
        headers = dict(req['headers'] or {})
        body, encoding = read_body(req)
        emit(event='request', frm=str(iq['from']), method=req['method'], resource=req['resource'],
             headers=headers, body=body, encoding=encoding)
        if self.args.target:
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

    async def send_one(self):
        a = self.args
        headers = {}
        for h in a.header or []:
            name, _, value = h.partition(':')
            headers[name.strip()] = value.strip()
        body = a.body
        if a.body_file:
            with open(a.body_file, encoding='utf-8') as f:
                body = f.read()
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
    parser.add_argument('command', choices=['serve', 'request'])
    parser.add_argument('--jid', required=True)
    parser.add_argument('--resource', help='the XMPP resource to bind')
    parser.add_argument('--password-env', default='XMPP_PASSWORD')
    parser.add_argument('--host', required=True)
    parser.add_argument('--port', type=int, required=True)
    parser.add_argument('--ca', help='PEM file of the CA to trust')
    parser.add_argument('--plaintext', action='store_true', help='no STARTTLS (a plaintext virtual host)')
    parser.add_argument('--target', help='serve: forward requests to this base URL (default: echo)')
    parser.add_argument('--echo', action='store_true', help='serve: answer with a JSON echo (the default)')
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
