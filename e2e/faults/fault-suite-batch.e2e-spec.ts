/** The fault suite (fault-suite.e2e-spec.ts) once more, with batch dispatch in every process. */
import '../config/batch-variant';
import './fault-suite.e2e-spec';
