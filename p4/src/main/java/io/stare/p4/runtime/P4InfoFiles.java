package io.stare.p4.runtime;

import com.google.protobuf.TextFormat;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import p4.config.v1.P4Info;

/**
 * Loads a {@link P4Info} from the protobuf text format that {@code p4c --p4runtime-files
 * NAME.p4info.txtpb} writes.
 *
 * <p>Parsing is strict: a field the P4Info schema does not know is an error, not silently
 * dropped, so a P4Info from a newer compiler that uses fields we lack fails loudly here rather
 * than later on the switch. Every failure names its source: {@link P4InfoParseException} for
 * syntax and schema errors (with line and column), {@link UncheckedIOException} for I/O, and
 * {@link IllegalArgumentException} for a classpath resource that does not exist.
 */
public final class P4InfoFiles {
  private P4InfoFiles() {}

  /**
   * Reads and parses a P4Info text file.
   *
   * @param file path of a {@code .p4info.txtpb} (or {@code .p4info.txt}) file, UTF-8
   * @return the parsed P4Info
   * @throws P4InfoParseException if the text is not a valid P4Info; the message names the file
   * @throws UncheckedIOException if the file cannot be read
   */
  public static P4Info fromFile(Path file) {
    Objects.requireNonNull(file, "file");
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read P4Info file " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file.toString());
  }

  /**
   * Reads and parses a P4Info text file from the class path.
   *
   * @param resource resource name as for {@link ClassLoader#getResource(String)}, e.g. {@code
   *     "p4/stare_register.p4info.txtpb"} (no leading slash)
   * @return the parsed P4Info
   * @throws IllegalArgumentException if no such resource exists
   * @throws P4InfoParseException if the text is not a valid P4Info; the message names the resource
   * @throws UncheckedIOException if the resource cannot be read
   */
  public static P4Info fromResource(String resource) {
    Objects.requireNonNull(resource, "resource");
    String name = resource.startsWith("/") ? resource.substring(1) : resource;
    ClassLoader loader = Thread.currentThread().getContextClassLoader();
    if (loader == null || loader.getResource(name) == null) {
      loader = P4InfoFiles.class.getClassLoader();
    }
    String text;
    try (InputStream in = loader.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalArgumentException("no P4Info resource on the class path: " + name);
      }
      text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read P4Info resource " + name + ": " + e.getMessage(), e);
    }
    return parse(text, "classpath:" + name);
  }

  /**
   * Parses P4Info text already in memory.
   *
   * @param text the P4Info in protobuf text format
   * @param sourceName what to call the text in error messages (a file name, a URL)
   * @return the parsed P4Info
   * @throws P4InfoParseException if the text is not a valid P4Info
   */
  public static P4Info parse(CharSequence text, String sourceName) {
    Objects.requireNonNull(text, "text");
    P4Info.Builder builder = P4Info.newBuilder();
    try {
      TextFormat.getParser().merge(text, builder);
    } catch (TextFormat.ParseException e) {
      throw new P4InfoParseException(
          sourceName, e.getLine(), e.getColumn(), describe(e), e);
    }
    return builder.build();
  }

  /** The parser's own description, without the "line:column: " prefix it puts in front. */
  private static String describe(TextFormat.ParseException e) {
    String message = String.valueOf(e.getMessage());
    String prefix = e.getLine() + ":" + e.getColumn() + ": ";
    return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
  }
}
