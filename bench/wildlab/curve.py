import json,sys
f=sys.argv[1]; T=sys.argv[2] if len(sys.argv)>2 else None; every=int(sys.argv[3]) if len(sys.argv)>3 else 1
pts=[]
for l in open(f):
    e=json.loads(l)
    if e.get('type','metrics')=='metrics':
        m=e.get('metrics',e); pts.append((e.get('epoch'),e.get('step'),m.get('train_loss',m.get('loss')),m.get('val_loss'),m.get('lr',m.get('learning_rate'))))
    elif e.get('type')=='run_started': print('config',e.get('config'))
rid=json.loads(open(f).readline())['run_id']
d={}
if T:
  for l in open(T):
    try:e=json.loads(l)
    except: continue
    if e.get('run_id')==rid: d.setdefault((e.get('epoch'),e.get('step')),[]).append(e['diagnosis'][:5])
print(len(pts),'points')
for i,p in enumerate(pts):
    dd=d.get((p[0],p[1]),'')
    if i%every==0 or dd: print(i,p[0],p[1],*(('%.4g'%x) if isinstance(x,(int,float)) else x for x in p[2:]),dd)
