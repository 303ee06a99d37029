export { buildApp, type App } from './app.ts';
export { DEFAULT_CONFIG, resolveConfig, type ServerConfig } from './config.ts';
export { parseOutboundAllow } from './outbound-config.ts';
export { ConfigFileError, DEFAULT_SERVER_CONFIG_FILE, mergeSettings, readServerConfigFile, serverConfigFilePath } from './config-file.ts';
export { createServer, type RunningServer } from './server.ts';
export { bootstrap, isInitialised, createToken, type BootstrapResult } from './services/workspace/bootstrap.ts';
export { DEPLOY_TOKEN_SCOPES, type DeployTokenScope } from '@breakwater/contracts';
export { systemClock, type Clock } from './clock.ts';
export { AppError } from './errors.ts';
