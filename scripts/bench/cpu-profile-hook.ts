/**
 * Preloaded into the backend by profile-api.ts (`--import tsx --import <this file>`, since V8's --prof
 * may not be given through NODE_OPTIONS): samples the CPU from start-up and writes a .cpuprofile to
 * HERALD_CPU_PROFILE on each SIGWINCH, then starts over (a signal Nest's shutdown hooks leave alone).
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 200 });
session.post('Profiler.start');
process.on('SIGWINCH', () => {
  session.post('Profiler.stop', (error, result) => {
    writeFileSync(process.env.HERALD_CPU_PROFILE!, JSON.stringify(error ? {} : result.profile));
    session.post('Profiler.start');
  });
});
