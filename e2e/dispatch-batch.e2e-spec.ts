/** The dispatch suite (dispatch.e2e-spec.ts) once more, with batch dispatch (`dispatchMode: 'batch'`). */
import './config/batch-variant';
import './dispatch.e2e-spec';
