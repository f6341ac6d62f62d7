"""The index on disk: the folder and its builds (store), artifact names (layout), building, embedders, keyword and dense indexes."""
