/**
 * The process entry of the built-in sample shop: reads the app environment (README.md), serves, prints
 * `listening on http://HOST:PORT` once ready and exits cleanly on SIGTERM or SIGINT — or when the lab that
 * forked it goes away (its IPC channel closes), so that no shop outlives its lab.
 */
import { AppEnvironmentError, readAppEnvironment } from './app-environment.ts';
import { startSampleShop } from './sample-shop.ts';

/** Open connections get this long to finish after a stop signal. */
const SHUTDOWN_GRACE_MS = 2_000;

async function main(): Promise<void> {
  const environment = readAppEnvironment(process.env);
  const shop = await startSampleShop({
    region: environment.region,
    host: environment.host,
    port: environment.port,
    dataEndpointUrl: environment.dataEndpointUrl,
    healthPath: environment.healthPath,
    dataClasses: environment.dataClasses,
  });
  process.stdout.write(`listening on ${shop.url}\n`);
  let stopping = false;
  const shutdown = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), SHUTDOWN_GRACE_MS).unref();
    shop.close().then(
      () => process.exit(0),
      () => process.exit(0),
    );
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
  process.on('disconnect', shutdown);
}

main().catch((error: unknown) => {
  const message = error instanceof AppEnvironmentError ? error.message : `sample shop failed to start: ${error instanceof Error ? error.message : String(error)}`;
  process.stderr.write(`${message}\n`);
  process.exit(1);
});
