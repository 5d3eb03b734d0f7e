import { json } from 'body-parser';
import type { NextFunction, Request, Response } from 'express';

/** The largest JSON body the APIs take: Nest's own default, made explicit. */
export const REQUEST_BODY_LIMIT = '100kb';

const parseJson = json({ limit: REQUEST_BODY_LIMIT });

/**
 * Parses JSON bodies before Nest does (Nest's parser then skips them), so a body over the limit is
 * answered 413 and a malformed one 400, each with a message, instead of the 500 that Vendure's
 * exception filter gives body-parser's errors.
 */
export function requestBodyLimit(req: Request, res: Response, next: NextFunction): void {
    parseJson(req, res, (error?: unknown) => {
        if (!error) {
            next();
            return;
        }
        const status = statusOf(error);
        res.status(status).json({
            statusCode: status,
            message:
                status === 413
                    ? `The request body is larger than ${REQUEST_BODY_LIMIT}: send less`
                    : 'The request body is not valid JSON',
        });
    });
}

function statusOf(error: unknown): number {
    const status = (error as { status?: unknown }).status;
    return status === 413 ? 413 : 400;
}
