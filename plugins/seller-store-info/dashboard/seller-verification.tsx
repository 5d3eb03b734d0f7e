import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, Badge, Button, Input, PageContextValue, usePermissions } from '@vendure/dashboard';
import { useState } from 'react';
import { toast } from 'sonner';

interface SellerVerification {
    id: string;
    verified: boolean;
    verificationChangedAt: string | null;
    verificationChangedBy: string | null;
    unverifiedReason: string | null;
}

interface ActionResult {
    __typename: string;
    message?: string;
}

const FIELDS = 'id verified verificationChangedAt verificationChangedBy unverifiedReason';
const QUERY_KEY = 'seller-verification';

/**
 * The seller's verification on its detail page: a badge (verified or not, with who changed it,
 * when, and why it was un-verified), and for staff with VerifySeller the button that verifies or
 * un-verifies it (with a reason). Only verified sellers' products show in the shop.
 */
export function SellerVerificationBlock({ context }: Readonly<{ context: PageContextValue }>) {
    const sellerId = (context.entity as { id?: string } | undefined)?.id;
    const { hasPermissions } = usePermissions();
    const mayVerify = hasPermissions(['VerifySeller']);
    const queryClient = useQueryClient();
    const [reason, setReason] = useState('');
    const [busy, setBusy] = useState(false);
    const seller = useQuery({
        queryKey: [QUERY_KEY, sellerId],
        queryFn: () =>
            api
                .query<{ seller: SellerVerification | null }>(
                    `query SellerVerification($id: ID!) { seller(id: $id) { ${FIELDS} } }`,
                    { id: sellerId },
                )
                .then(result => result.seller),
        enabled: !!sellerId,
    });
    if (!sellerId || !seller.data) return null;
    const { verified, verificationChangedAt, verificationChangedBy, unverifiedReason } = seller.data;

    const run = async (label: string, mutation: string, variables: Record<string, unknown>) => {
        setBusy(true);
        try {
            const result = (await api.mutate(mutation, variables)) as Record<string, ActionResult>;
            const answer = Object.values(result)[0];
            if (answer?.__typename === 'Seller') {
                toast.success(label);
                setReason('');
            } else {
                toast.error(answer?.message ?? `${label}: refused`);
            }
        } catch (error) {
            toast.error(error instanceof Error ? error.message : String(error));
        } finally {
            setBusy(false);
            await queryClient.invalidateQueries({ queryKey: [QUERY_KEY, sellerId] });
        }
    };
    const verify = () =>
        run(
            'Seller verified',
            `mutation Verify($id: ID!) { verifySeller(sellerId: $id) { __typename
                ... on ErrorResult { message } } }`,
            { id: sellerId },
        );
    const unverify = () =>
        run(
            'Seller un-verified',
            `mutation Unverify($id: ID!, $reason: String!) { unverifySeller(sellerId: $id, reason: $reason) {
                __typename ... on ErrorResult { message } } }`,
            { id: sellerId, reason },
        );

    return (
        <div className="flex flex-col gap-3" data-testid="seller-verification">
            <div>
                <Badge
                    variant={verified ? 'success' : 'destructive'}
                    data-testid="seller-verification-badge"
                    data-verified={verified}
                >
                    {verified ? 'Verified' : 'Not verified'}
                </Badge>
            </div>
            <p className="text-sm text-muted-foreground">
                {verified
                    ? 'Its products show in the shop.'
                    : 'Nothing of this seller shows in the shop until it is verified.'}
            </p>
            {verificationChangedAt && (
                <p className="text-xs text-muted-foreground" data-testid="seller-verification-changed">
                    {verified ? 'Verified' : 'Un-verified'} {new Date(verificationChangedAt).toLocaleString()}
                    {verificationChangedBy ? ` by ${verificationChangedBy}` : ''}
                </p>
            )}
            {!verified && unverifiedReason && (
                <p className="text-sm" data-testid="seller-verification-reason">
                    Reason: {unverifiedReason}
                </p>
            )}
            {mayVerify && !verified && (
                <Button size="sm" disabled={busy} onClick={() => void verify()}>
                    Verify seller
                </Button>
            )}
            {mayVerify && verified && (
                <div className="flex flex-col gap-2">
                    <Input
                        placeholder="Reason for un-verifying"
                        maxLength={500}
                        value={reason}
                        onChange={event => setReason(event.target.value)}
                    />
                    <Button
                        size="sm"
                        variant="outline"
                        disabled={busy || !reason.trim()}
                        onClick={() => void unverify()}
                    >
                        Un-verify seller
                    </Button>
                </div>
            )}
        </div>
    );
}
