// Runs one emulator (dynalite or kinesalite) on its own thread of the local cloud's process, so that the
// emulator's work does not share an event loop (and a core) with the handlers it serves.
// workerData: { kind: 'dynalite' | 'kinesalite', options, port }. Posts { endpoint } once listening; closes on 'close'.
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

const require = createRequire(import.meta.url);
const { kind, options, port } = workerData;
const server = require(kind)(options);
server.once('error', (error) => parentPort.postMessage({ error: String(error) }));
server.listen(port, '127.0.0.1', () => {
  parentPort.postMessage({ endpoint: `http://127.0.0.1:${server.address().port}` });
});
parentPort.on('message', (message) => {
  if (message !== 'close') return;
  server.close(() => parentPort.postMessage({ closed: true }));
  server.closeAllConnections?.();
});
