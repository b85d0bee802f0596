package dev.lamina.cli.template;

import dev.lamina.cli.template.Node.Branch;
import dev.lamina.cli.template.Node.Command;
import dev.lamina.cli.template.Node.Operand;
import dev.lamina.cli.template.Node.Pipeline;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/** Applies parsed nodes to one value, as Go's text/template executes a template. */
final class Evaluator {
  /** How field lookups on the data itself behave. */
  enum Mode {
    /** A map: a missing key is {@code <no value>} (inspect's JSON). */
    LENIENT,
    /** A row with fixed fields: a missing one is an error, as over docker's Go structs. */
    STRICT,
    /**
     * A table's header row: the data maps each field to its column's title, a missing one is
     * empty, and docker's functions give back the title unchanged.
     */
    HEADER
  }

  private final Object root;
  private final Mode mode;
  private final StringBuilder out = new StringBuilder();
  private final List<String> names = new ArrayList<>();
  private final List<Object> values = new ArrayList<>();

  private Evaluator(Object root, Mode mode) {
    this.root = root;
    this.mode = mode;
    names.add("$");
    values.add(root);
  }

  /** Break and continue unwind to their range. */
  private static final class Jump extends RuntimeException {
    final boolean isBreak;

    Jump(boolean isBreak) {
      super(null, null, false, false);
      this.isBreak = isBreak;
    }
  }

  static String run(List<Node> nodes, Object data, Mode mode) {
    Evaluator e = new Evaluator(data, mode);
    try {
      e.list(nodes, data);
    } catch (TemplateException failed) {
      if (mode != Mode.HEADER) {
        throw failed;
      }
      // docker ignores an error in the header row and keeps what was printed before it.
    }
    return e.out.toString();
  }

  private void list(List<Node> nodes, Object dot) {
    int mark = names.size();
    try {
      for (Node n : nodes) {
        node(n, dot);
      }
    } finally {
      pop(mark);
    }
  }

  private void node(Node n, Object dot) {
    if (n instanceof Node.Text t) {
      out.append(t.text());
    } else if (n instanceof Node.Print p) {
      Object v = pipeline(p.pipeline(), dot);
      if (p.pipeline().vars().isEmpty()) {
        out.append(print(v));
      }
    } else if (n instanceof Node.Jump j) {
      throw new Jump(j.isBreak());
    } else {
      branch((Branch) n, dot);
    }
  }

  private void branch(Branch b, Object dot) {
    int mark = names.size();
    try {
      switch (b.keyword()) {
        case IF -> {
          Object v = pipeline(b.pipeline(), dot);
          list(Values.truth(v) ? b.then() : b.otherwise(), dot);
        }
        case WITH -> {
          Object v = pipeline(b.pipeline(), dot);
          if (Values.truth(v)) {
            list(b.then(), v);
          } else {
            list(b.otherwise(), dot);
          }
        }
        case RANGE -> range(b, dot);
      }
    } finally {
      pop(mark);
    }
  }

  private void range(Branch b, Object dot) {
    Pipeline p = b.pipeline();
    Object v = evaluate(p, dot);
    List<Object[]> items = new ArrayList<>();
    if (v instanceof Collection<?> c) {
      long i = 0;
      for (Object item : c) {
        items.add(new Object[] {i++, item});
      }
    } else if (v instanceof Map<?, ?> m) {
      Values.sorted(m).forEach((k, item) -> items.add(new Object[] {k, item}));
    } else if (v instanceof Long || v instanceof Integer) {
      for (long i = 0; i < ((Number) v).longValue(); i++) {
        items.add(new Object[] {i, i});
      }
    } else if (v != null && v != Values.MISSING) {
      throw new TemplateException("range can't iterate over " + print(v));
    }
    if (items.isEmpty()) {
      list(b.otherwise(), dot);
      return;
    }
    int mark = names.size();
    for (Object[] item : items) {
      pop(mark);
      List<String> vars = p.vars();
      if (vars.size() == 1) {
        declare(vars.get(0), item[1], p.declare());
      } else if (vars.size() == 2) {
        declare(vars.get(0), item[0], p.declare());
        declare(vars.get(1), item[1], p.declare());
      }
      try {
        list(b.then(), item[1]);
      } catch (Jump j) {
        if (j.isBreak) {
          break;
        }
      }
    }
  }

  /** A pipeline's value, declared or assigned to its variables if it names any. */
  private Object pipeline(Pipeline p, Object dot) {
    Object v = evaluate(p, dot);
    for (String name : p.vars()) {
      declare(name, v, p.declare());
    }
    return v;
  }

  private Object evaluate(Pipeline p, Object dot) {
    Object v = null;
    boolean first = true;
    for (Command c : p.commands()) {
      v = command(c, dot, first ? null : new Object[] {v});
      first = false;
    }
    return v;
  }

  private Object command(Command c, Object dot, Object[] piped) {
    List<Operand> ops = c.operands();
    Operand head = ops.get(0);
    if (head.term() instanceof Node.Function f) {
      List<Object> args = new ArrayList<>();
      for (Operand o : ops.subList(1, ops.size())) {
        args.add(callIfMethod(operand(o, dot)));
      }
      if (piped != null) {
        args.add(piped[0]);
      }
      if (mode == Mode.HEADER && Functions.passesHeaderThrough(f.name())) {
        return args.isEmpty() ? "" : args.get(0);
      }
      return Functions.call(f.name(), args);
    }
    Object v = operand(head, dot);
    if (ops.size() > 1 || piped != null) {
      if (!(v instanceof TemplateMethod m)) {
        throw new TemplateException("can't give argument to non-function " + describe(head));
      }
      List<Object> args = new ArrayList<>();
      for (Operand o : ops.subList(1, ops.size())) {
        args.add(callIfMethod(operand(o, dot)));
      }
      if (piped != null) {
        args.add(piped[0]);
      }
      return m.call(args);
    }
    return callIfMethod(v);
  }

  private static Object callIfMethod(Object v) {
    return v instanceof TemplateMethod m ? m.call(List.of()) : v;
  }

  private Object operand(Operand o, Object dot) {
    Node.Term t = o.term();
    Object v;
    if (t instanceof Node.Variable var) {
      v = variable(var.name());
    } else if (t instanceof Node.Literal l) {
      v = l.value();
    } else if (t instanceof Node.Group g) {
      v = evaluate(g.pipeline(), dot);
    } else if (t instanceof Node.Function f) {
      throw new TemplateException("function " + f.name() + " as a value");
    } else {
      v = dot;
    }
    for (String name : o.fields()) {
      v = field(callIfMethod(v), name);
    }
    return v;
  }

  private Object field(Object v, String name) {
    if (v instanceof Map<?, ?> m) {
      if (m.containsKey(name)) {
        return Values.resolve(m.get(name));
      }
      if (v == root && mode == Mode.STRICT) {
        List<String> known = new ArrayList<>();
        m.keySet().forEach(k -> known.add(String.valueOf(k)));
        throw new TemplateException("can't evaluate field " + name + " (fields: "
            + String.join(", ", new java.util.TreeSet<>(known)) + ")");
      }
      return v == root && mode == Mode.HEADER ? "" : Values.MISSING;
    }
    if (v == Values.MISSING) {
      return Values.MISSING;
    }
    if (v == null) {
      throw new TemplateException("nil pointer evaluating ." + name);
    }
    throw new TemplateException("can't evaluate field " + name + " in type " + Values.kind(v));
  }

  private Object variable(String name) {
    for (int i = names.size() - 1; i >= 0; i--) {
      if (names.get(i).equals(name)) {
        return values.get(i);
      }
    }
    throw new TemplateException("undefined variable: " + name);
  }

  private void declare(String name, Object v, boolean declare) {
    if (declare) {
      names.add(name);
      values.add(v);
      return;
    }
    for (int i = names.size() - 1; i >= 0; i--) {
      if (names.get(i).equals(name)) {
        values.set(i, v);
        return;
      }
    }
    throw new TemplateException("undefined variable: " + name);
  }

  private void pop(int mark) {
    while (names.size() > mark) {
      names.remove(names.size() - 1);
      values.remove(values.size() - 1);
    }
  }

  private String print(Object v) {
    if (mode == Mode.HEADER && (v == Values.MISSING || v == null)) {
      return "";
    }
    return Values.print(callIfMethod(v));
  }

  private static String describe(Operand o) {
    Node.Term t = o.term();
    String base =
        t instanceof Node.Variable v ? v.name()
            : t instanceof Node.Literal l ? Values.print(l.value())
            : t instanceof Node.Group g ? "(" + g.pipeline().text() + ")"
            : t instanceof Node.Function f ? f.name()
            : "";
    StringBuilder sb = new StringBuilder(base);
    o.fields().forEach(f -> sb.append('.').append(f));
    return sb.length() == 0 ? "." : sb.toString();
  }
}
