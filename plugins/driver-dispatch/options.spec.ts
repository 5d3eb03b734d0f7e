import { defaultDriverDispatchOptions, dispatchModeProblem } from './options';

describe('driver-dispatch options', () => {
    it('accepts the defaults, fractions of a minute included', () => {
        expect(dispatchModeProblem(defaultDriverDispatchOptions)).toBeUndefined();
        expect(
            dispatchModeProblem({ ...defaultDriverDispatchOptions, deliveryAlertAfterMinutes: 0.5 }),
        ).toBeUndefined();
    });

    it.each([
        ['pendingAlertAfterSeconds', 0],
        ['pendingAlertAfterSeconds', -5],
        ['deliveryAlertAfterMinutes', Number.NaN],
        ['deliveryTargetMinutes', Number.POSITIVE_INFINITY],
    ])('refuses %s = %p, naming it', (name, value) => {
        expect(dispatchModeProblem({ ...defaultDriverDispatchOptions, [name]: value })).toBe(
            `${name} must be a positive number`,
        );
    });
});
