package io.tributary.protocol.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One record of the audit trail: who did what, from where, to what, with which result, when, and the hash of the
 * record before it in the trail. The value of a record in the audit stream is {@link #encode()}: UTF-8, the fields
 * separated by tabs after the version {@value #VERSION}; a record's hash is the SHA-256 of that value. Each record
 * names the hash of the one before ({@link #GENESIS} for the first), so a record removed, altered or moved breaks the
 * chain at the next one ({@link AuditChain}).
 *
 * @param timeMs       wall-clock time the node recorded it.
 * @param node         the node that recorded it.
 * @param principal    who asked ({@code client:alice}), or {@code -} for a connection without a certificate.
 * @param source       the requester's address as the node saw it.
 * @param action       what was asked: an admin command ({@code CREATE_STREAM}), {@code produce}, {@code read}, ...
 * @param resource     what it was asked of: a stream, a node, a grant; {@code -} for none.
 * @param result       {@code ok}, {@code refused: why}, {@code denied: why}.
 * @param traceId      the request's trace id, or {@code -}.
 * @param previousHash the hash of the record before, lowercase hex.
 */
public record AuditRecord(long timeMs, String node, String principal, String source, String action, String resource,
    String result, String traceId, String previousHash)
{
    public static final String VERSION = "audit-1";
    /** The previous hash of the first record of a trail. */
    public static final String GENESIS = "0".repeat(64);
    /** The internal stream the trail lives in (one shard; only nodes append, only auditors and admins read). */
    public static final String STREAM = "__audit";
    private static final int FIELDS = 10;

    public AuditRecord
    {
        node = clean(node);
        principal = clean(principal);
        source = clean(source);
        action = clean(action);
        resource = clean(resource);
        result = clean(result);
        traceId = clean(traceId);
        if (previousHash == null || !previousHash.matches("[0-9a-f]{64}"))
        {
            throw new IllegalArgumentException("previous hash '" + previousHash + "' is not 64 lowercase hex digits");
        }
    }

    /**
     * The trace id of a W3C traceparent ({@code 00-<32 hex trace id>-<16 hex span id>-<2 hex flags>}), or null when
     * {@code traceparent} is null or not one (a malformed header must not put arbitrary text in the trail).
     */
    public static String traceIdOf(final String traceparent)
    {
        if (traceparent == null || traceparent.length() < 55 || traceparent.charAt(2) != '-'
            || traceparent.charAt(35) != '-')
        {
            return null;
        }
        final String traceId = traceparent.substring(3, 35);
        return traceId.matches("[0-9a-f]{32}") && !traceId.equals("0".repeat(32)) ? traceId : null;
    }

    /** A field as stored: never empty, no tab or line break (they would break the record's fields). */
    private static String clean(final String field)
    {
        if (field == null || field.isEmpty())
        {
            return "-";
        }
        return field.replaceAll("[\\t\\r\\n]", " ");
    }

    /** The record's value in the audit stream. */
    public byte[] encode()
    {
        return String.join("\t", VERSION, Long.toString(timeMs), node, principal, source, action, resource, result,
            traceId, previousHash).getBytes(StandardCharsets.UTF_8);
    }

    /** Parses a value of the audit stream; throws {@link IllegalArgumentException} saying what is wrong. */
    public static AuditRecord decode(final byte[] value)
    {
        final String text = new String(value, StandardCharsets.UTF_8);
        final String[] f = text.split("\t", -1);
        if (f.length != FIELDS || !f[0].equals(VERSION))
        {
            throw new IllegalArgumentException("not an " + VERSION + " audit record of " + FIELDS + " fields: '"
                + (text.length() > 80 ? text.substring(0, 80) + "..." : text) + "'");
        }
        try
        {
            return new AuditRecord(Long.parseLong(f[1]), f[2], f[3], f[4], f[5], f[6], f[7], f[8], f[9]);
        }
        catch (final NumberFormatException e)
        {
            throw new IllegalArgumentException("audit record time '" + f[1] + "' is not a number", e);
        }
    }

    /** The SHA-256 of a record's value, lowercase hex: what the next record names as its previous hash. */
    public static String hash(final byte[] value)
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
        }
        catch (final NoSuchAlgorithmException e)
        {
            throw new IllegalStateException("this JVM has no SHA-256", e);
        }
    }

    @Override
    public String toString()
    {
        return timeMs + " " + node + " " + principal + "@" + source + " " + action + " " + resource + ": " + result
            + (traceId.equals("-") ? "" : " trace " + traceId);
    }
}
