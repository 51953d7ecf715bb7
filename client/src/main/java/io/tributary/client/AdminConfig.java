package io.tributary.client;

import java.util.List;

/** Settings of an {@link Admin}: only the cluster's address, transport and request timeout. */
public final class AdminConfig extends ClientConfig<AdminConfig>
{
    @Override
    protected void validate(final List<String> problems)
    {
        // nothing beyond the common settings
    }
}
