import { startServer } from './runtime/start';
import { exitOnStartFailure } from './runtime/start-failure';

startServer().catch(exitOnStartFailure);
