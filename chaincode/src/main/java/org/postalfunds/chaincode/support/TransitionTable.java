package org.postalfunds.chaincode.support;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import org.postalfunds.api.ErrorCode;

/**
 * A lifecycle as one total table: for every state (and null: the entity does not exist yet) and every action, exactly
 * one cell, which either allows the action and names the state it leads to or refuses it with an error code. Handlers
 * ask {@link #permit} before they touch state. {@link Builder#build} refuses a table with a missing or a doubled cell,
 * so a lifecycle that forgets a case fails when its class loads (and with it every test), never on a peer.
 *
 * <p>A refusal's message comes from the reason given for its code ({@link Builder#because}); a code without one gets
 * the table's own: "{subject} is {state}: {action} is not possible (allowed: ...)".
 *
 * @param <E> the entity whose state the table governs (a meter, a refund); its fields may go into a refusal's message
 * @param <S> its states
 * @param <A> what may happen to it
 */
public final class TransitionTable<E, S extends Enum<S>, A extends Enum<A>> {

    /** One cell: {@code from} x {@code action} -> {@code to}, or refused with {@code refusal}. */
    public record Cell<S, A>(S from, A action, S to, ErrorCode refusal) {
        public boolean allowed() {
            return refusal == null;
        }
    }

    /**
     * What a refusal's message may name: the entity's id, the entity (null while it does not exist: {@code from}
     * null), the state, the action, and the actions the state allows.
     */
    public record Refused<E, S, A extends Enum<A>>(String id, E entity, S from, A action, String allowedActions) {
        /** The action in words: MOVE_FUNDS is "move funds". */
        public String actionWords() {
            return action.name().toLowerCase(Locale.ROOT).replace('_', ' ');
        }
    }

    private final String name;
    private final A[] actions;
    private final Function<E, S> stateOf;
    private final Function<String, String> subject;
    private final List<Cell<S, A>> cells;
    /** The cells by (state ordinal + 1, null first) x action ordinal. */
    private final Cell<S, A>[] index;
    private final Map<ErrorCode, Function<Refused<E, S, A>, String>> reasons;

    private TransitionTable(final Builder<E, S, A> builder, final Cell<S, A>[] index) {
        this.name = builder.name;
        this.actions = builder.actions;
        this.stateOf = builder.stateOf;
        this.subject = builder.subject;
        this.cells = List.copyOf(builder.cells);
        this.index = index;
        this.reasons = Map.copyOf(builder.reasons);
    }

    /**
     * A table named {@code name} (for build errors) of {@code states} x {@code actions}; {@code stateOf} reads an
     * existing entity's state, {@code subject} names the entity of an id in the table's own refusal message.
     */
    public static <E, S extends Enum<S>, A extends Enum<A>> Builder<E, S, A> builder(final String name,
            final Class<S> states, final Class<A> actions, final Function<E, S> stateOf,
            final Function<String, String> subject) {
        return new Builder<>(name, states, actions, stateOf, subject);
    }

    /**
     * May {@code action} happen to entity {@code id} ({@code entity}: as recorded, null when it does not exist yet)?
     * Returns the state it leads to, or throws the cell's refusal with its reason.
     */
    public S permit(final String id, final E entity, final A action) {
        Objects.requireNonNull(id, "id");
        final S current = entity == null ? null : Objects.requireNonNull(stateOf.apply(entity), name + " entity state");
        final Cell<S, A> cell = cell(current, action);
        if (cell.allowed()) {
            return cell.to();
        }
        final Refused<E, S, A> refused = new Refused<>(id, entity, current, action, allowedActions(current));
        final Function<Refused<E, S, A>, String> reason = reasons.get(cell.refusal());
        throw cell.refusal().exception(reason != null ? reason.apply(refused)
                : subject.apply(id) + " is " + current + ": " + refused.actionWords() + " is not possible (allowed: "
                        + refused.allowedActions() + ")");
    }

    /** The one cell of {@code from} (null: the entity does not exist yet) x {@code action}. */
    public Cell<S, A> cell(final S from, final A action) {
        final Cell<S, A> cell = index[slot(from, Objects.requireNonNull(action, "action"), actions.length)];
        // The builder filled every slot; a hole here would be a bug in this class.
        if (cell == null) {
            throw new IllegalStateException("the " + name + " table has no cell " + from + " x " + action);
        }
        return cell;
    }

    /** Every cell, in the order the table gives them. */
    public List<Cell<S, A>> cells() {
        return cells;
    }

    /** The actions {@code from} allows, in the table's order; "none, it is final" where it allows none. */
    public String allowedActions(final S from) {
        final List<String> allowed = cells.stream().filter(cell -> cell.from() == from && cell.allowed())
                .map(cell -> cell.action().name()).toList();
        return allowed.isEmpty() ? "none, it is final" : String.join(", ", allowed);
    }

    private static int slot(final Enum<?> from, final Enum<?> action, final int actionCount) {
        return (from == null ? 0 : from.ordinal() + 1) * actionCount + action.ordinal();
    }

    /** Rows one at a time, one per line in the lifecycle's source; {@link #build} checks the table is total. */
    public static final class Builder<E, S extends Enum<S>, A extends Enum<A>> {
        private final String name;
        private final S[] states;
        private final A[] actions;
        private final Function<E, S> stateOf;
        private final Function<String, String> subject;
        private final List<Cell<S, A>> cells = new ArrayList<>();
        private final Map<ErrorCode, Function<Refused<E, S, A>, String>> reasons = new EnumMap<>(ErrorCode.class);

        private Builder(final String name, final Class<S> states, final Class<A> actions, final Function<E, S> stateOf,
                final Function<String, String> subject) {
            this.name = Objects.requireNonNull(name, "name");
            this.states = states.getEnumConstants();
            this.actions = actions.getEnumConstants();
            this.stateOf = Objects.requireNonNull(stateOf, "stateOf");
            this.subject = Objects.requireNonNull(subject, "subject");
        }

        /** {@code from} (null: none yet) x {@code action} leads to {@code to}. */
        public Builder<E, S, A> allow(final S from, final A action, final S to) {
            cells.add(new Cell<>(from, Objects.requireNonNull(action, "action"), Objects.requireNonNull(to, "to"),
                    null));
            return this;
        }

        /** {@code from} (null: none yet) x {@code action} is refused with {@code refusal}. */
        public Builder<E, S, A> refuse(final S from, final A action, final ErrorCode refusal) {
            cells.add(new Cell<>(from, Objects.requireNonNull(action, "action"), null,
                    Objects.requireNonNull(refusal, "refusal")));
            return this;
        }

        /** The message of every refusal with {@code refusal}, in place of the table's own. */
        public Builder<E, S, A> because(final ErrorCode refusal, final Function<Refused<E, S, A>, String> reason) {
            Objects.requireNonNull(reason, "reason");
            if (reasons.put(Objects.requireNonNull(refusal, "refusal"), reason) != null) {
                throw new IllegalStateException("the " + name + " table has two reasons for " + refusal);
            }
            return this;
        }

        /**
         * The table, if every state (and none) x action has exactly one cell and every reason belongs to a refusal of
         * the table; otherwise an IllegalStateException that names the missing and doubled cells.
         */
        public TransitionTable<E, S, A> build() {
            @SuppressWarnings("unchecked")
            final Cell<S, A>[] index = (Cell<S, A>[]) new Cell<?, ?>[(states.length + 1) * actions.length];
            final List<String> doubled = new ArrayList<>();
            for (final Cell<S, A> cell : cells) {
                final int slot = slot(cell.from(), cell.action(), actions.length);
                if (index[slot] != null) {
                    doubled.add(cell.from() + " x " + cell.action());
                }
                index[slot] = cell;
            }
            final List<String> missing = new ArrayList<>();
            final List<S> statesAndNone = new ArrayList<>();
            statesAndNone.add(null);
            statesAndNone.addAll(Arrays.asList(states));
            for (final S state : statesAndNone) {
                for (final A action : actions) {
                    if (index[slot(state, action, actions.length)] == null) {
                        missing.add(state + " x " + action);
                    }
                }
            }
            final List<ErrorCode> unused = reasons.keySet().stream()
                    .filter(code -> cells.stream().noneMatch(cell -> cell.refusal() == code)).toList();
            if (!doubled.isEmpty() || !missing.isEmpty() || !unused.isEmpty()) {
                throw new IllegalStateException("the " + name + " table is not one cell per state (and none) x action:"
                        + " missing " + missing + ", doubled " + doubled + ", reasons for no refusal " + unused);
            }
            // Every slot is filled exactly once, so there are as many cells as slots.
            if (cells.size() != index.length) {
                throw new IllegalStateException("the " + name + " table has " + cells.size() + " cells for "
                        + index.length + " slots");
            }
            return new TransitionTable<>(this, index);
        }
    }
}
