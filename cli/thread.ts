/** The worker thread of `entry.ts`: runs one command and posts its exit code. */
import { parentPort, workerData } from 'node:worker_threads';
import { main } from './main.js';
import { StopRequest } from './stop.js';
import type { ThreadData } from './entry.js';

const data = workerData as ThreadData;
// 'loaded' tells entry.ts the models are in: a --model import that never returns is timed from there
const code = await main(data.argv, undefined, undefined, { tty: data.tty, write: (s) => void process.stderr.write(s) }, new StopRequest(data.stop), () => parentPort?.postMessage('loaded'));
parentPort?.postMessage(code);
