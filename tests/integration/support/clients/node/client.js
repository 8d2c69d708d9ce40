// The Node.js `tls` client of the client-selection tests (tests/integration/client_selection.rs).
//
// Reads one target a line on stdin, tab-separated:
//   id  port  tls(1.2|1.3)  cert+chain.pem  key.pem  server-ca.pem  [p12  p12-pass  variant]
// and for each connects to 127.0.0.1:port with `cert` (leaf and chain, PEM) and `key` (Node's
// bundled OpenSSL decides whether to send it), sends "GET / HTTP/1.0" once the handshake is
// done and reads until the server closes. Prints one line a target:
//   RESULT <tab> id <tab> ok|error <tab> detail
// All targets run at once (each has its own server); each connection is bounded by 10 s.
'use strict';
const fs = require('fs');
const tls = require('tls');

function oneLine(text) {
  return String(text).replace(/[\n\t]/g, ' ');
}

function connect(fields) {
  const [id, port, version, cert, key, ca] = fields;
  const pinned = version === '1.3' ? 'TLSv1.3' : 'TLSv1.2';
  return new Promise((resolve) => {
    let reply = '';
    let settled = false;
    const finish = (outcome, detail) => {
      if (!settled) {
        settled = true;
        resolve(`RESULT\t${id}\t${outcome}\t${oneLine(detail)}`);
      }
    };
    let socket;
    try {
      socket = tls.connect({
        host: '127.0.0.1',
        port: Number(port),
        servername: 'localhost',
        ca: fs.readFileSync(ca),
        cert: fs.readFileSync(cert),
        key: fs.readFileSync(key),
        minVersion: pinned,
        maxVersion: pinned,
      });
    } catch (error) {
      finish('error', error);
      return;
    }
    socket.setTimeout(10000, () => {
      finish('error', 'timed out');
      socket.destroy();
    });
    socket.on('secureConnect', () => socket.write('GET / HTTP/1.0\r\n\r\n'));
    socket.on('data', (chunk) => { reply += chunk.toString('latin1'); });
    socket.on('end', () => finish('ok', 'handshake done; ' + reply.split('\r\n')[0]));
    socket.on('error', (error) => finish('error', error));
    socket.on('close', () => finish('ok', 'handshake done; ' + reply.split('\r\n')[0]));
  });
}

const lines = fs.readFileSync(0, 'utf8').split('\n').filter((line) => line.split('\t').length >= 6);
Promise.all(lines.map((line) => connect(line.split('\t')))).then((results) => {
  for (const line of results) console.log(line);
});
