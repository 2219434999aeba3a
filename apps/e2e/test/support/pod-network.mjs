// Preloaded (`node --import`) into every process that plays a pod of the Helm chart, it gives that
// process the network a cluster would: the release's Service names resolve, and a connection to
// <service>:<port> reaches the local process or private server behind it (as kube-proxy forwards a
// Service port to its pods), while the pod's own listening port (0.0.0.0:<containerPort>, its own
// network namespace in Kubernetes) becomes a free port on 127.0.0.1. Nothing else changes: the
// process runs with the command and environment the chart renders.
//
// The table comes in this module's URL: ?net=<base64url JSON {services: {name: {port: localPort}},
// listen: {containerPort: localPort}}>.
import dns from 'node:dns';
import net from 'node:net';

const table = JSON.parse(
  Buffer.from(new URL(import.meta.url).searchParams.get('net') ?? '', 'base64url').toString() ||
    '{"services":{},"listen":{}}',
);
const names = Object.keys(table.services);
/** Each Service gets an address of its own in 127.0.0.0/8, as a cluster IP would be. */
const clusterIp = new Map(
  names.map((name, i) => [name, `127.77.${Math.floor(i / 250)}.${(i % 250) + 1}`]),
);
const byIp = new Map([...clusterIp].map(([name, ip]) => [ip, name]));

/** The Service a host name means: its short name, or name.namespace.svc[.cluster.local]. */
function serviceOf(host) {
  if (typeof host !== 'string') return undefined;
  const short = host.toLowerCase().replace(/\.[a-z0-9-]+\.svc(\.cluster\.local)?\.?$/, '');
  return table.services[short] ? short : byIp.get(host);
}

const lookup = dns.lookup;
dns.lookup = function (hostname, options, callback) {
  const cb = typeof options === 'function' ? options : callback;
  const opts = typeof options === 'object' && options !== null ? options : {};
  const service = serviceOf(hostname);
  if (!service) return lookup.call(this, hostname, options, callback);
  const address = clusterIp.get(service);
  process.nextTick(() => (opts.all ? cb(null, [{ address, family: 4 }]) : cb(null, address, 4)));
  return {};
};
const lookupPromise = dns.promises.lookup;
dns.promises.lookup = async function (hostname, options) {
  const service = serviceOf(hostname);
  if (!service) return lookupPromise.call(this, hostname, options);
  const address = clusterIp.get(service);
  return options?.all ? [{ address, family: 4 }] : { address, family: 4 };
};

/** host:port of a Service → the local endpoint; anything else unchanged. */
function target(host, port) {
  const service = serviceOf(host);
  const local = service && table.services[service][String(port)];
  if (!local) {
    if (service) throw new Error(`pod network: ${service} has no port ${port}`);
    return undefined;
  }
  return { host: '127.0.0.1', port: local };
}

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() hands over its already normalized [options, callback] array
  const normalized = Array.isArray(args[0]) ? args[0] : undefined;
  const options = normalized ? normalized[0] : args[0];
  if (options && typeof options === 'object' && options.path === undefined) {
    const to = target(options.host ?? 'localhost', options.port);
    if (to) {
      const mapped = { ...options, ...to };
      if (normalized) normalized[0] = mapped;
      else args[0] = mapped;
    }
  } else if (
    typeof options === 'number' ||
    (typeof options === 'string' && /^\d+$/.test(options))
  ) {
    const to = target(typeof args[1] === 'string' ? args[1] : 'localhost', options);
    if (to) {
      args[0] = to.port;
      args[1] = to.host;
    }
  }
  return connect.apply(this, args);
};

const listen = net.Server.prototype.listen;
net.Server.prototype.listen = function (...args) {
  const options = args[0];
  const port = typeof options === 'object' && options !== null ? options.port : options;
  const local = table.listen[String(port)];
  if (local === undefined) return listen.apply(this, args);
  if (typeof options === 'object') args[0] = { ...options, host: '127.0.0.1', port: local };
  else {
    args[0] = local;
    if (typeof args[1] === 'string') args[1] = '127.0.0.1';
    else args.splice(1, 0, '127.0.0.1');
  }
  return listen.apply(this, args);
};
