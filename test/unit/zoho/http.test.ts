import * as assert from 'node:assert/strict';
import * as nodeHttp from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { isDevKitError } from '../../../src/core/errors/devkitError';
import { createHttpClient } from '../../../src/core/net/http';
import { ZohoSandbox } from '../../sandbox/zohoSandbox';
import { rejection } from '../../support/findings';

/** A forward proxy on 127.0.0.1 that speaks CONNECT and absolute-URI requests and counts what it relays. */
class CountingProxy {
  relayed = 0;
  private readonly tunnels = new Set<net.Socket>();
  private readonly server = nodeHttp.createServer((req, res) => {
    this.relayed++;
    const target = new URL(req.url ?? '');
    const upstream = nodeHttp.request(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers },
      (up) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });

  constructor() {
    this.server.on('connect', (req: nodeHttp.IncomingMessage, socket: net.Socket, head: Buffer) => {
      this.relayed++;
      this.tunnels.add(socket);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      this.tunnels.add(upstream);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  start(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => resolve()));
  }

  stop(): Promise<void> {
    // Tunnelled sockets are detached from the HTTP server, so closeAllConnections misses them.
    for (const s of this.tunnels) s.destroy();
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 where nothing listens. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

describe('net/http', () => {
  let sandbox: ZohoSandbox;

  beforeEach(async () => {
    sandbox = new ZohoSandbox();
    await sandbox.start();
  });
  afterEach(() => sandbox.stop());

  it('returns an error status as data, not as an exception', async () => {
    sandbox.failNext('html503');
    const res = await createHttpClient().request({ url: `${sandbox.accountsUrl('in')}/oauth/v2/token`, method: 'POST', body: '' });
    assert.equal(res.status, 503);
    assert.match(res.headers['content-type'], /text\/html/);
    assert.match(res.text, /Maintenance/);
  });

  it('sends through an explicit proxy when one is given', async () => {
    const proxy = new CountingProxy();
    await proxy.start();
    try {
      const res = await createHttpClient({ proxy: proxy.url }).request({ url: `${sandbox.salesiqUrl('in')}/api/v2/portals`, method: 'GET' });
      assert.equal(JSON.parse(res.text).error.code, 1002);
      assert.ok(proxy.relayed >= 1, 'the proxy relayed the request');
      const before = proxy.relayed;
      await createHttpClient().request({ url: `${sandbox.salesiqUrl('in')}/api/v2/portals`, method: 'GET' });
      assert.equal(proxy.relayed, before, 'without the setting the proxy is not used');
    } finally {
      await proxy.stop();
    }
  });

  it('bypasses the explicit proxy for a host in noProxy', async () => {
    const proxy = new CountingProxy();
    await proxy.start();
    try {
      await createHttpClient({ proxy: proxy.url, noProxy: '127.0.0.1' }).request({ url: `${sandbox.salesiqUrl('in')}/api/v2/portals`, method: 'GET' });
      assert.equal(proxy.relayed, 0);
    } finally {
      await proxy.stop();
    }
  });

  it('reports a refused connection as the network finding ECONNREFUSED', async () => {
    const port = await closedPort();
    const err = await rejection(createHttpClient().request({ url: `http://127.0.0.1:${port}/x`, method: 'GET' }));
    assert.deepEqual([err.finding.source, err.finding.code], ['network', 'ECONNREFUSED']);
    assert.ok((err as Error).cause, 'the original error is kept as the cause');
  });

  it('reports a reset connection as ECONNRESET', async () => {
    sandbox.failNext('reset');
    const err = await rejection(createHttpClient().request({ url: `${sandbox.accountsUrl('in')}/oauth/v2/token`, method: 'POST', body: '' }));
    assert.deepEqual([err.finding.source, err.finding.code], ['network', 'ECONNRESET']);
  });

  it('gives up on a silent server as ETIMEDOUT', async () => {
    const silent = nodeHttp.createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', () => resolve()));
    try {
      const port = (silent.address() as AddressInfo).port;
      const err = await rejection(createHttpClient().request({ url: `http://127.0.0.1:${port}/`, method: 'GET', timeoutMs: 200 }));
      assert.deepEqual([err.finding.source, err.finding.code], ['network', 'ETIMEDOUT']);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('hands a caller\'s cancellation back as-is rather than as a network failure', async () => {
    const ctl = new AbortController();
    const reason = new Error('user cancelled');
    ctl.abort(reason);
    try {
      await createHttpClient().request({ url: `${sandbox.salesiqUrl('in')}/api/v2/portals`, method: 'GET', signal: ctl.signal });
      assert.fail('expected a rejection');
    } catch (err) {
      assert.equal(err, reason);
      assert.equal(isDevKitError(err), false);
    }
  });
});
