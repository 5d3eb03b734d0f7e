import { startWorker } from './runtime/start';
import { exitOnStartFailure } from './runtime/start-failure';

startWorker().catch(exitOnStartFailure);
