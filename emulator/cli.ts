// Command line: node out/emulator/cli.js --port P [--host H] [--data DIR] [--seed demo|scale:SxR] [--op-delay-ms N]
// Prints "Mentor emulator listening on HOST:PORT" once ready; SIGTERM/SIGINT stop it cleanly.
import { startEmulator, type EmulatorOptions } from './server';

const USAGE = 'Usage: node out/emulator/cli.js [--port P] [--host 127.0.0.1] [--data DIR] ' +
  '[--seed demo|scale:SxR] [--op-delay-ms N]';

function parseArgs(argv: string[]): EmulatorOptions {
  const opts: EmulatorOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new Error(`${flag} needs a value.`);
      return v;
    };
    const int = (name: string) => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer.`);
      return n;
    };
    switch (flag) {
      case '--port': opts.port = int('--port'); break;
      case '--host': opts.host = value(); break;
      case '--data': opts.dataDir = value(); break;
      case '--seed': opts.seed = value(); break;
      case '--op-delay-ms': opts.operationDelayMs = int('--op-delay-ms'); break;
      case '--help': case '-h': console.log(USAGE); process.exit(0); break;
      default: throw new Error(`Unknown option ${argv[i]}.`);
    }
  }
  return opts;
}

async function main(): Promise<void> {
  let opts: EmulatorOptions;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(`${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const emulator = await startEmulator(opts);
  console.log(`Mentor emulator listening on ${emulator.address}`);
  const shutdown = () => {
    emulator.stop().then(() => process.exit(0), (err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  console.error(`Mentor emulator failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
