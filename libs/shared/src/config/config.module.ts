import { Global, Logger, LogLevel, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';
import { loadEnvironment } from './environment.js';

/** Validates the environment once at boot and provides the typed {@link AppConfig} everywhere. */
@Global()
@Module({
  providers: [{ provide: AppConfig, useFactory: () => new AppConfig(loadEnvironment()) }],
  exports: [AppConfig],
})
export class ConfigModule {}

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/**
 * Loads the configuration before Nest starts, so a bad variable stops the process with one clear
 * message instead of a stack trace from deep inside module initialisation.
 */
export function loadConfigOrExit(processName: string): AppConfig {
  try {
    const config = new AppConfig(loadEnvironment());
    Logger.overrideLogger(LEVELS.slice(0, LEVELS.indexOf(config.logLevel) + 1));
    return config;
  } catch (error) {
    new Logger(processName).fatal((error as Error).message);
    process.exit(1);
  }
}
