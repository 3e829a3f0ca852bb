package io.saltstream.pipeline.ingest;

import java.util.OptionalInt;

/**
 * One grey image read from an IDX images file, with its label when a labels file was given.
 *
 * @param index position of the image in the file, starting at 0
 * @param rows image height in pixels
 * @param columns image width in pixels
 * @param pixels {@code rows * columns} unsigned bytes, row-major; owned by this record (the reader
 *     allocates a new array per image)
 * @param label the class label (0 to 255), or empty when the reader has no labels file
 */
public record IdxImage(int index, int rows, int columns, byte[] pixels, OptionalInt label) {}
