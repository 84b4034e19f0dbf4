package io.stare.p4.runtime;

/**
 * A P4Info text file that does not parse: wrong syntax, or a field the P4Info schema does not
 * have. The message names the file and, when the parser knows them, the 1-based line and column,
 * e.g.
 * {@code stare_register.p4info.txtpb:12:3: Message type "p4.config.v1.Table" has no field named
 * "sise".}
 */
public final class P4InfoParseException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String source;
  private final int line;
  private final int column;

  P4InfoParseException(String source, int line, int column, String description, Throwable cause) {
    super((line > 0 ? source + ":" + line + ":" + column : source) + ": " + description, cause);
    this.source = source;
    this.line = line;
    this.column = column;
  }

  /** The file or classpath resource that failed to parse, as given to {@link P4InfoFiles}. */
  public String source() {
    return source;
  }

  /** 1-based line of the error, or -1 if the parser did not report one. */
  public int line() {
    return line;
  }

  /** 1-based column of the error, or -1 if the parser did not report one. */
  public int column() {
    return column;
  }
}
