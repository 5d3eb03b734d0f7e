/** The driver app suite (driver-app.e2e-spec.ts) once more, with batch dispatch (`dispatchMode: 'batch'`). */
import './config/batch-variant';
import './driver-app.e2e-spec';
