"""TensorFlow 0.6's "Mechanics 101" MNIST example: input_data, mnist, fully_connected_feed."""
