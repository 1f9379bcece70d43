import { SimDseError } from '../util/errors.js';

/**
 * A problem with a model file or graph (malformed .tflite, unsupported
 * operator, option or type, a skip configuration that does not fit the
 * model). The message is one line naming the file, operator or tensor.
 */
export class ModelError extends SimDseError<'model'> {
  constructor(message: string) {
    super('model', message);
    this.name = 'ModelError';
  }
}

/** A missing or malformed dataset (e.g. a CIFAR-10 file of the wrong size). */
export class DatasetError extends SimDseError<'dataset'> {
  constructor(message: string) {
    super('dataset', message);
    this.name = 'DatasetError';
  }
}
