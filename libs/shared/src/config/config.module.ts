import { type DynamicModule, Logger, LogLevel, Module } from '@nestjs/common';
import { KeyRing } from '../crypto/key-ring.js';
import { AppConfig } from './app-config.js';
import { loadEnvironment } from './environment.js';

/**
 * Provides the typed {@link AppConfig} everywhere, the one {@link loadConfigOrExit} validated at boot, and
 * the {@link KeyRing} built from its keys.
 */
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ConfigModule,
      global: true,
      providers: [{ provide: AppConfig, useValue: config }, KeyRing],
      exports: [AppConfig, KeyRing],
    };
  }
}

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
