import { Controller, Get, Res } from '@nestjs/common';
import type { Response } from 'express';

import { ReadinessService } from './readiness.service';

/**
 * `GET /health/ready`: 200 with each part's state when every part is up, 503 naming the parts
 * that are not. Vendure 3.6+ answers `/health` without checking anything.
 */
@Controller('health')
export class ReadinessController {
    constructor(private readonly readiness: ReadinessService) {}

    @Get('ready')
    async ready(@Res() res: Response): Promise<void> {
        const report = await this.readiness.check();
        const failing = Object.entries(report.parts)
            .filter(([, part]) => part.state !== 'up')
            .map(([name]) => name);
        res.status(report.ready ? 200 : 503).json({
            status: report.ready ? 'ready' : 'not ready',
            ...(failing.length ? { failing } : {}),
            parts: report.parts,
        });
    }
}
