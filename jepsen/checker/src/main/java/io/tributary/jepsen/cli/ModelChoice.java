package io.tributary.jepsen.cli;

import io.tributary.jepsen.checker.Model;
import io.tributary.jepsen.history.OperationDecoder;
import io.tributary.jepsen.models.KvDecoder;
import io.tributary.jepsen.models.KvModel;
import io.tributary.jepsen.models.LogDecoder;
import io.tributary.jepsen.models.LogModel;
import io.tributary.jepsen.models.RegisterDecoder;
import io.tributary.jepsen.models.RegisterModel;

/** The models the command knows, by their command-line names, each with the decoder for its histories. */
enum ModelChoice
{
    REGISTER("register"),
    KV("kv"),
    LOG("log");

    private final String cliName;

    ModelChoice(final String cliName)
    {
        this.cliName = cliName;
    }

    String cliName()
    {
        return cliName;
    }

    static ModelChoice fromCliName(final String name)
    {
        for (final ModelChoice choice : values())
        {
            if (choice.cliName.equals(name))
            {
                return choice;
            }
        }
        return null;
    }

    Binding<?, ?, ?> binding()
    {
        switch (this)
        {
            case REGISTER:
                return new Binding<>(new RegisterModel(), new RegisterDecoder());
            case KV:
                return new Binding<>(new KvModel(), new KvDecoder());
            default:
                return new Binding<>(new LogModel(), new LogDecoder());
        }
    }

    /** A model with the decoder of its operations, so that their types meet. */
    record Binding<S, I, O>(Model<S, I, O> model, OperationDecoder<I, O> decoder)
{
    }
}
