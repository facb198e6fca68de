# expect: 1:1: error: no model in this file (expected 'model NAME { ... }')
train {
    batch 8
}
