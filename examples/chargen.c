/* chargen.c — a C program that runs a character language model one byte at a time, carrying
 * the LSTM's states from step to step, and prints its greedy continuation of a prompt.  The
 * model is examples/char_step.dlm built for one-token steps with trained weights embedded; the
 * dlc runtime is linked only to read the vocabulary (id -> byte) from the checkpoint.
 *
 *   dlc train models/char_lstm.dlm --save char_lstm.safetensors
 *   dlc build examples/char_step.dlm --max-len 1 --batch 1 --weights char_lstm.safetensors -o char_step.o
 *   cc -Iruntime -I. examples/chargen.c char_step.o libdlrt.a -lz -lm -pthread -o chargen
 *   ./chargen char_lstm.safetensors "The " 200
 *
 * Greedy decoding (the first largest logit), so the text is what
 * `dlc generate models/char_lstm.dlm --temperature 0` writes when its context covers it all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "char_step.h"
#include "dlrt.h"

enum { V = CHAR_STEP_LOGITS_SIZE, S = CHAR_STEP_H_SIZE };   /* vocabulary; state values per sample */

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: chargen CHECKPOINT PROMPT LENGTH\n");
        return 2;
    }
    dlrt_tensor_set ck;
    dlrt_text voc;
    const char *vs;
    if (dlrt_safetensors_read(argv[1], &ck) || !(vs = dlrt_tensor_set_meta(&ck, "dlc.vocab")) ||
        dlrt_text_from_vocab_string(vs, &voc)) {
        fprintf(stderr, "chargen: %s: %s\n", argv[1], vs ? dlrt_error() : "no vocabulary");
        return 1;
    }
    if (voc.nvocab != V) {
        fprintf(stderr, "chargen: the checkpoint has %lld tokens, the model was built for %d\n", (long long)voc.nvocab, V);
        return 1;
    }
    int32_t *ids;
    int64_t n;
    if (dlrt_text_encode(&voc, argv[2], &ids, &n) || n == 0) {
        fprintf(stderr, "chargen: %s\n", n ? dlrt_error() : "empty prompt");
        return 1;
    }
    long length = atol(argv[3]);

    /* states in and out (swapped after every step), logits, workspace: all ours */
    float *h[2], *c[2], logits[V];
    for (int k = 0; k < 2; k++) {
        h[k] = calloc(S, sizeof(float));
        c[k] = calloc(S, sizeof(float));
    }
    void *work = malloc(CHAR_STEP_WORK_BYTES_FORWARD);
    int cur = 0;
    int32_t tok = ids[0];
    fputs(argv[2], stdout);
    for (long step = 0; step < n - 1 + length; step++) {
        if (char_step_forward(char_step_weights, &tok, h[cur], c[cur], logits, h[!cur], c[!cur], work, 1) != 0) return 1;
        cur = !cur;
        if (step + 1 < n) {   /* still reading the prompt */
            tok = ids[step + 1];
            continue;
        }
        int best = 0;
        for (int v = 1; v < V; v++)
            if (logits[v] > logits[best]) best = v;
        tok = best;
        dlrt_text_put(&voc, best, stdout);
    }
    fputc('\n', stdout);
    for (int k = 0; k < 2; k++) {
        free(h[k]);
        free(c[k]);
    }
    free(work);
    free(ids);
    dlrt_text_free(&voc);
    dlrt_tensor_set_free(&ck);
    return 0;
}
